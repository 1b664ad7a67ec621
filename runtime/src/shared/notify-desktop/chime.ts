/** Two soft notes, a fifth apart (A5, E6), each fading out: heard, not startling. */
const NOTES = [
  { hz: 880, at: 0 },
  { hz: 1318.5, at: 0.11 },
];
const PEAK = 0.18;
const FADE_S = 0.55;

let context: AudioContext | null = null;

function audio(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  context ??= new AudioContext();
  return context;
}

/**
 * Browsers start sound only after the page has been used: the first click or key unlocks it, so a
 * chime from a background tab later is heard.
 */
export function unlockChime(): void {
  const ctx = audio();
  if (ctx?.state === 'suspended') void ctx.resume().catch(() => {});
}

/** The new-message chime, made by the Web Audio API: nothing to download or ship. */
export function playChime(): void {
  const ctx = audio();
  if (!ctx) return;
  if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
  const start = ctx.currentTime + 0.01;
  for (const note of NOTES) {
    const oscillator = ctx.createOscillator();
    const gain = ctx.createGain();
    const at = start + note.at;
    oscillator.type = 'sine';
    oscillator.frequency.value = note.hz;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(PEAK, at + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + FADE_S);
    oscillator.connect(gain).connect(ctx.destination);
    oscillator.start(at);
    oscillator.stop(at + FADE_S + 0.05);
  }
}

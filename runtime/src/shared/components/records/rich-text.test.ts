import { describe, expect, it } from 'vitest';
import { htmlToText, textToHtml } from './rich-text.ts';

describe('rich text as paragraphs', () => {
  it('reads stored HTML as lines of text', () => {
    expect(htmlToText('<p>第一段 <b>重点</b></p><p>a &lt; b &amp; c</p>')).toBe('第一段 重点\na < b & c');
    expect(htmlToText('one<br>two<br/>')).toBe('one\ntwo');
  });

  it('writes text back as escaped paragraphs that read back the same', () => {
    const text = 'x <script>alert(1)</script>\n"quoted" & more';
    expect(textToHtml(text)).toBe('<p>x &lt;script&gt;alert(1)&lt;/script&gt;</p><p>&quot;quoted&quot; &amp; more</p>');
    expect(htmlToText(textToHtml(text))).toBe(text);
  });
});

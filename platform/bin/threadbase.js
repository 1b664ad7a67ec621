#!/usr/bin/env node
// The CLI is TypeScript run by Node 24's type stripping; this file only forwards to it.
await import('../src/cli/main.ts');

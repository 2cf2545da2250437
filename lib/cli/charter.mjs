#!/usr/bin/env node
// The `charter` command (package.json "bin"). Registers tsx with the project's tsconfig, so the CLI
// runs from its TypeScript sources with the `@/…` path alias, then hands over to main.ts.
// Paths are resolved from this file, never from the current directory.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
register({ tsconfig: path.join(root, 'tsconfig.json') });
await import('./main.ts');

/**
 * The app's one way into zod: `zod/mini`, the functional API (`z.optional(x)`, `x.check(z.minLength(1))`).
 * Classic `zod` builds dozens of method closures per schema node at module load and cannot be
 * tree-shaken; mini builds none, and the bundle keeps only what the schemas use (about 38 KB of zod
 * instead of 190 KB), which takes roughly a sixth off the handler's cold import.
 *
 * Unlike classic zod, mini installs no message locale (every issue would read "Invalid input"), so
 * this module installs zod's English messages once, as classic zod does, before any schema parses:
 * every schema module imports zod from here. Only `en` is imported; the bundle holds no other locale.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// As classic zod: the default, unless the process already chose a locale.
if (!config().localeError) config(en());

// Importers write `import * as z from '.../zod.ts'`: esbuild then keeps only the members they use
// (re-exporting zod's `z` namespace object would keep all of zod/mini).
export * from 'zod/mini';

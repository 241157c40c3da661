// zod re-exports all ~40 message locales from its entries (`z.locales`, in zod/mini as in classic
// zod); the gateway's messages are English, so the build resolves zod's locale index here and keeps
// only `en`. app/schemas/zod.ts installs `en` itself (zod/mini installs no locale).
export { default as en } from 'zod/v4/locales/en.js';

// zod re-exports all ~40 message locales from its classic entry; the gateway's messages are
// English, so the build resolves zod's locale index here and keeps only `en`.
export { default as en } from 'zod/v4/locales/en.js';

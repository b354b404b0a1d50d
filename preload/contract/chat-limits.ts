/**
 * @file The limits of photo chat, shared by main's validation (preload/contract/chat.ts) and the
 * renderer's input. Kept apart from the schemas so the renderer can use them at runtime without
 * pulling zod into its bundle (as preload/api-error.ts does).
 */

/** The longest question, in characters (about a page of text; the model's context is the real limit). */
export const MAX_QUESTION_CHARS = 4000;
/** The most photos one conversation can be about (each is sent as its own image). */
export const MAX_CHAT_PHOTOS = 8;

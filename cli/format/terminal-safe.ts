/**
 * Characters that must not reach a terminal as they are: C0 and C1 controls and DEL (escape
 * sequences, carriage returns that overwrite a line), the Unicode bidirectional controls that
 * reorder what is shown (Trojan Source), the line and paragraph separators, and lone surrogates.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this matches
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|\p{Cs}/gu;

/**
 * Text safe to print on a terminal: each unsafe character is shown as a visible `\u{…}` escape,
 * everything else is unchanged. Applies to any text that may carry input (request values,
 * messages quoting them, file content).
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${c.codePointAt(0)!.toString(16).padStart(4, "0")}}`);
}

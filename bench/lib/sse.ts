/** Reads an OpenAI SSE body as it arrives: one `data:` payload per event, split on blank lines. */

export class SseReader {
  #pending = '';
  /** Streaming decode: a character split across two network chunks is decoded whole. */
  readonly #decoder = new TextDecoder();

  /** Feeds one body chunk; returns the `data:` payloads of the events it completed. */
  push(chunk: Buffer): string[] {
    this.#pending += this.#decoder.decode(chunk, { stream: true });
    const data: string[] = [];
    let end: number;
    while ((end = this.#pending.indexOf('\n\n')) >= 0) {
      const event = this.#pending.slice(0, end);
      this.#pending = this.#pending.slice(end + 2);
      for (const line of event.split('\n')) if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    return data;
  }
}

/** True when a chat.completion.chunk carries non-empty answer text (the direct path's "first event"). */
export function hasContent(data: string): boolean {
  if (data === '[DONE]') return false;
  const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string | null } }> };
  return Boolean(chunk.choices?.[0]?.delta?.content);
}

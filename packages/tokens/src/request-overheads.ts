/**
 * The constants `estimateRequest` adds to the counted text, with the reason for each. Claude's
 * prompt format is not public, so the framing constants are small approximations of the
 * tokens that turn markers and block framing take; whatever they miss is absorbed by the
 * calibration ratio, which is learnt from the counts the API reports. The image, tool and PDF
 * figures come from Anthropic's documentation, as noted.
 */
export const requestOverheads = {
  /** Once per request: the end of the prompt and the opening of the assistant's turn. */
  requestTokens: 3,
  /** Per message: the role marker and the turn separator around it. */
  messageTokens: 4,
  /** Once when a system prompt is present: its header. */
  systemTokens: 3,
  /** Per content block after the first in a message (separators between blocks). */
  blockSeparatorTokens: 1,
  /** Per `tool_use` / `server_tool_use` block: the call's framing (id, name and input wrapper). */
  toolUseTokens: 10,
  /** Per `tool_result` block: the result's framing and tool id. */
  toolResultTokens: 6,
  /** Per document or search result: the wrapper around its source, title and context. */
  documentTokens: 10,
  /** Per tool definition: the framing around its name, description and JSON schema. */
  toolDefinitionTokens: 4,
  /**
   * The tool-use system prompt the API adds when `tools` is not empty, with `tool_choice`
   * `auto` or `none`. Anthropic's tool-use pricing table lists 346 tokens for the Claude 4
   * models (Opus, Sonnet, Haiku 4.x).
   */
  toolSystemPromptAutoTokens: 346,
  /** The same with `tool_choice` `any` or `tool`: 313 tokens in that table. */
  toolSystemPromptForcedTokens: 313,
  /** Anthropic-defined client tools, from the same docs: the bash tool adds 245 input tokens. */
  bashToolTokens: 245,
  /** The text editor tool adds 700 input tokens (Claude 4 models). */
  textEditorToolTokens: 700,
  /** The computer-use tool adds 735 input tokens (Claude 4 models). */
  computerToolTokens: 735,
  /** Pixels per image token: Anthropic documents tokens ≈ width × height / 750. */
  imagePixelsPerToken: 750,
  /** Images whose long edge exceeds this many pixels are scaled down first (documented). */
  imageMaxLongEdgePixels: 1568,
  /** ...and so are images above about 1.15 megapixels (1092 × 1092, documented ~1,600 tokens). */
  imageMaxPixels: 1092 * 1092,
  /**
   * A PDF page: Anthropic documents 1,500–3,000 text tokens per page plus the page's image
   * (a full page is about 1,600 image tokens). The midpoint of text plus one page image.
   */
  pdfPageTokens: 2250 + 1600,
  /** Bytes of PDF per page assumed when the page objects cannot be found (compressed xref streams). */
  pdfBytesPerPageGuess: 60_000,
} as const;

/** The tokens of an image of `width` × `height` pixels after the API's downscaling. */
export function imageTokens(width: number, height: number): number {
  let scale = 1;
  const longEdge = Math.max(width, height);
  if (longEdge > requestOverheads.imageMaxLongEdgePixels) {
    scale = requestOverheads.imageMaxLongEdgePixels / longEdge;
  }
  const pixels = width * height * scale * scale;
  if (pixels > requestOverheads.imageMaxPixels) scale *= Math.sqrt(requestOverheads.imageMaxPixels / pixels);
  const scaledWidth = Math.max(1, Math.floor(width * scale));
  const scaledHeight = Math.max(1, Math.floor(height * scale));
  return Math.ceil((scaledWidth * scaledHeight) / requestOverheads.imagePixelsPerToken);
}

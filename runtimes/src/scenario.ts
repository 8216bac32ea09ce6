// What every runtime does, shared by the probe (which runs it) and the Node test (which knows
// the answers): the mock server's text is a pure function of its seed and the request.

/** Mixed text for the token counts: prose, code, a run of spaces, accents, CJK and an emoji. */
export const sampleText = [
  'Bulwark keeps applications that call Claude working when the work gets big.',
  'function add(a, b) {\n  return a + b; // 42\n}',
  'spaces:          end',
  'Ça coûte 3,50 € — naïve café, 東京タワー, 🦀 and ZWJ 👩‍💻.',
].join('\n\n');

/** The model of every request: a class the mock and the rate limiter both know. */
export const model = 'claude-sonnet-4-6';

/** Small `max_tokens`: the streaming client and the bundle send it without streaming. */
export const plainRequest = {
  model,
  max_tokens: 256,
  messages: [{ role: 'user' as const, content: 'Name three runtimes, without streaming.' }],
};

/** `max_tokens` above the 4,096-token default threshold: sent as a stream. */
export const streamedRequest = {
  model,
  max_tokens: 8192,
  messages: [{ role: 'user' as const, content: 'Name three runtimes, as a stream.' }],
};

/** The rate limiter's per-minute limits in the probe, and what the call holds. */
export const limiterScenario = {
  limits: { requestsPerMinute: 60, inputTokensPerMinute: 100_000, outputTokensPerMinute: 20_000 },
  maxOutputTokens: plainRequest.max_tokens,
};

/** The requests of the batch job: the plain request again, and one more. */
export const batchRequests = [
  { custom_id: 'plain', params: plainRequest },
  {
    custom_id: 'second',
    params: {
      model,
      max_tokens: 128,
      messages: [{ role: 'user' as const, content: 'Name one runtime, in a batch.' }],
    },
  },
];

// The probe as a Cloudflare Worker (workerd, driven by miniflare): every request runs it against
// the mock server named by the `MOCK_URL` binding and answers with the JSON report.
import { runProbe } from './probe.js';

export default {
  async fetch(_request: Request, env: { MOCK_URL: string }): Promise<Response> {
    return Response.json(await runProbe(env.MOCK_URL));
  },
};

/**
 * A process that submits a batch job and is then killed (the crash test's victim). It prints
 * `submitted <batch id>` as each batch's id is saved, and `ready` once the whole first round is
 * submitted; it then polls until it is killed. Settings come from the environment.
 */
import Anthropic from '@anthropic-ai/sdk';
import { createBus } from '@bulwark/core';
import { createFileCheckpointStore } from '@bulwark/files';
import { createBatchRunner } from '../index.js';
import { requestsFor } from './requests.js';

const { MOCK_URL, STORE_DIRECTORY, JOB_ID, REQUESTS, MAX_BATCH_REQUESTS } = process.env;
const count = Number(REQUESTS);
const maxBatchRequests = Number(MAX_BATCH_REQUESTS);
const firstRound = Math.ceil(count / maxBatchRequests);

const bus = createBus();
let submitted = 0;
bus.on('batch:submitted', (event) => {
  process.stdout.write(`submitted ${event.batchId}\n`);
  submitted += 1;
  if (submitted === firstRound) process.stdout.write('ready\n');
});
const runner = createBatchRunner({
  client: new Anthropic({ apiKey: 'test-key', baseURL: MOCK_URL, maxRetries: 0 }),
  bus,
  store: createFileCheckpointStore({ directory: STORE_DIRECTORY as string }),
  pollIntervalMs: 20,
  maxPollIntervalMs: 50,
});
for await (const result of runner.run(requestsFor(count), { jobId: JOB_ID as string, maxBatchRequests })) {
  process.stdout.write(`result ${result.custom_id}\n`);
}

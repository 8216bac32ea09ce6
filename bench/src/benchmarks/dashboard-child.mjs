/**
 * The dashboard benchmark's other process, so its work is not counted in the measured one.
 * Argument: JSON `{ mock: MockServerOptions }` prints `{ url }` once the mock listens; or
 * `{ sse: url, clients }` opens that many event streams to a dashboard and reads them until killed.
 */
import { request } from 'node:http';
import { startMockServer } from '@bulwark/testing';

const task = JSON.parse(process.argv[2] ?? '{}');
if (task.mock) {
  const server = await startMockServer(task.mock);
  console.log(JSON.stringify({ url: server.url }));
} else if (task.sse) {
  let bytes = 0;
  for (let index = 0; index < task.clients; index += 1) {
    request(new URL('/events', task.sse), (response) =>
      response.on('data', (chunk) => (bytes += chunk.length)),
    ).end();
  }
  console.log(JSON.stringify({ clients: task.clients }));
  process.on('SIGTERM', () => process.exit(0));
  setInterval(() => bytes, 60_000);
}

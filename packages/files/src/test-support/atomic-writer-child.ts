// Run in a child process (bundled by the test): writes `A` × sizeA and `B` × sizeB + '\n'
// alternately to every target, several targets at once, until it is killed.
import { writeFileAtomic } from '../write-file-atomic.js';

const [, , sizeA = '0', sizeB = '0', ...targets] = process.argv;
const contentA = 'A'.repeat(Number(sizeA));
const contentB = `${'B'.repeat(Number(sizeB))}\n`;

async function lane(target: string): Promise<void> {
  for (let round = 0; ; round += 1) {
    await writeFileAtomic(target, round % 2 === 0 ? contentB : contentA);
    if (round === 0) process.stdout.write('W');
  }
}

for (const target of targets) void lane(target);

import * as fs from 'fs';
import * as path from 'path';

/** The project root: the nearest package.json named send-as-email above this bundle, else above the working directory. */
export function projectRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).name === 'send-as-email') return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error('project root (package.json of send-as-email) not found');
}

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli as run } from '../support/cli';

/** The command line's input path: which files a document may send, what it reads, what it overwrites. */
describe('command-line input', function () {
  this.timeout(30000);
  let root: string;
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sae-cli-input-')));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('build refuses a hand-written cid: that no part provides (exit 2, its line) and writes nothing', async () => {
    fs.writeFileSync(path.join(root, 'page.html'), '<html><head><title>T</title><meta name="email:from" content="a@example.com"></head>\n<body>\n<img src="cid:image1">\n</body></html>\n');
    const r = await run(['build', 'page.html'], root);
    assert.strictEqual(r.code, 2, r.err);
    assert.match(r.err, /"cid:image1" \(line 3\) has no inline part/);
    assert.ok(!fs.existsSync(path.join(root, 'page.eml')));
  });
});

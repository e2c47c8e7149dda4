import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli as run } from '../support/cli';
import { parseMail } from '../support/mail';
import { startSmtpServer } from '../support/smtp';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAAhBAMBWN3kQQAAAABJRU5ErkJggg==',
  'base64',
);
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n';

/** Writes `files` (path relative to `dir` → content; a path ending in "/" is a folder) and returns `dir`. */
function tree(dir: string, files: Record<string, string | Buffer>): string {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    if (rel.endsWith('/')) {
      fs.mkdirSync(file, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

/** The command line's input path: which files a document may send, what it reads, what it overwrites. */
describe('command-line input', function () {
  this.timeout(30000);
  let root: string;
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sae-cli-input-')));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  describe('the workspace of a document', () => {
    // A home folder with a key, and a cloned repository whose document reaches for it.
    let home: string;
    const env = (): NodeJS.ProcessEnv => ({ HOME: home });
    const note = '---\nsubject: Notes\nfrom: a@example.com\nto: b@example.com\nattachments: [../../../.ssh/id_rsa]\n---\n# Notes\n';
    beforeEach(() => {
      home = tree(path.join(root, 'home'), {
        '.ssh/id_rsa': KEY,
        'src/clone/.git/': '',
        'src/clone/img/dot.png': PNG,
        'src/clone/docs/note.md': note,
        'src/clone/docs/pictures.md': '---\nfrom: a@example.com\n---\n![dot](../img/dot.png)\n',
      });
    });

    it('is the document\'s repository, not the current folder: run from home, a clone cannot mail ~/.ssh/id_rsa', async () => {
      const r = await run(['build', 'src/clone/docs/note.md'], home, env());
      assert.strictEqual(r.code, 2, r.out);
      assert.match(r.err, new RegExp(`Attachment "\\.\\./\\.\\./\\.\\./\\.ssh/id_rsa" \\(line 5\\) is outside the workspace: ${path.join(home, '.ssh', 'id_rsa').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.ok(!fs.existsSync(path.join(home, 'src', 'clone', 'docs', 'note.eml')));
      assert.ok(!r.out.includes('not a real key') && !r.err.includes('not a real key'));
      // The rest of the repository is in it (a .git file, as a worktree has, counts too).
      assert.strictEqual((await run(['build', 'src/clone/docs/pictures.md'], home, env())).code, 0);
      fs.rmSync(path.join(home, 'src', 'clone', '.git'), { recursive: true });
      fs.writeFileSync(path.join(home, 'src', 'clone', '.git'), 'gitdir: /elsewhere/.git/worktrees/clone\n');
      assert.strictEqual((await run(['build', 'src/clone/docs/pictures.md'], home, env())).code, 0);
    });

    it('is the document\'s own folder outside a repository, and never the home folder even when it holds .git', async () => {
      fs.rmSync(path.join(home, 'src', 'clone', '.git'), { recursive: true });
      fs.mkdirSync(path.join(home, '.git'));
      const r = await run(['build', 'src/clone/docs/pictures.md'], home, env());
      assert.strictEqual(r.code, 2);
      assert.match(r.err, /Image "\.\.\/img\/dot\.png" \(line 4\) is outside the workspace/);
      const key = await run(['build', 'src/clone/docs/note.md'], home, env());
      assert.strictEqual(key.code, 2);
      assert.match(key.err, /id_rsa" \(line 5\) is outside the workspace/);
    });

    it('is widened by --workspace, and build lists every file that travels with its size', async () => {
      const r = await run(['build', 'src/clone/docs/note.md', '--workspace', home], home, env());
      assert.strictEqual(r.code, 0, r.err);
      const out = path.join(home, 'src', 'clone', 'docs', 'note.eml');
      assert.strictEqual(r.out, `Wrote ${out} (${fs.statSync(out).size} bytes, 0 inline images, 1 attachment):\n  attachment  id_rsa  ${KEY.length} bytes  .ssh/id_rsa`);
      const pictures = await run(['build', 'clone/docs/pictures.md'], path.join(home, 'src'), env());
      assert.match(pictures.out, new RegExp(`^ {2}inline {6}dot\\.png {2}${PNG.length} bytes {2}clone/img/dot\\.png$`, 'm'));
    });

    it('send lists every file that travels before it sends', async () => {
      const server = await startSmtpServer({ security: 'none' });
      try {
        fs.writeFileSync(path.join(home, 'src', 'clone', 'docs', 'report.md'), '---\nsubject: Report\nfrom: a@example.com\nto: b@example.com\nattachments: [../img/dot.png]\n---\n![dot](../img/dot.png)\n');
        const r = await run(['send', 'src/clone/docs/report.md', '--host', server.host, '--port', String(server.port), '--security', 'none'], home, env());
        assert.strictEqual(r.code, 0, r.err);
        const lines = r.out.split('\n');
        assert.match(lines[0]!, /^Sending "Report" \(\d+\.\d KB, 1 inline image, 1 attachment\):$/);
        assert.deepStrictEqual(lines.slice(1, 3), [`  inline      dot.png  ${PNG.length} bytes  src/clone/img/dot.png`, `  attachment  dot.png  ${PNG.length} bytes  src/clone/img/dot.png`]);
        assert.match(lines[3]!, /^accepted {2}b@example\.com$/);
        const mail = await parseMail((await server.nextMessage()).raw);
        assert.strictEqual(mail.attachments.length, 2);
      } finally {
        await server.close();
      }
    });
  });

  describe('build -o', () => {
    beforeEach(() => tree(root, { 'note.md': '---\nfrom: a@example.com\n---\n# Note\n', 'notes.txt': 'my notes\n', 'old.eml': 'old\r\n' }));

    it('never writes over its own document, even with --force', async () => {
      fs.symlinkSync(path.join(root, 'note.md'), path.join(root, 'link.eml'));
      for (const args of [['-o', 'note.md'], ['-o', 'note.md', '--force'], ['-o', './note.md'], ['-o', 'link.eml', '--force']]) {
        const r = await run(['build', 'note.md', ...args], root);
        assert.strictEqual(r.code, 2, args.join(' '));
        assert.match(r.err, /build would write the message over its own document .*(note\.md|link\.eml): name another file with -o\./);
        assert.strictEqual(fs.readFileSync(path.join(root, 'note.md'), 'utf8'), '---\nfrom: a@example.com\n---\n# Note\n');
      }
    });

    it('refuses to replace an existing file that is not an .eml unless --force, naming it', async () => {
      const r = await run(['build', 'note.md', '-o', 'notes.txt'], root);
      assert.strictEqual(r.code, 2);
      assert.strictEqual(r.err.split('\n')[0], `error: ${path.join(root, 'notes.txt')} already exists and is not an .eml file: build does not replace it without --force.`);
      assert.strictEqual(fs.readFileSync(path.join(root, 'notes.txt'), 'utf8'), 'my notes\n');
      const forced = await run(['build', 'note.md', '-o', 'notes.txt', '--force'], root);
      assert.strictEqual(forced.code, 0, forced.err);
      assert.strictEqual((await parseMail(fs.readFileSync(path.join(root, 'notes.txt')))).subject, 'Note');
      // An .eml is replaced, and a new file may have any name.
      assert.strictEqual((await run(['build', 'note.md', '-o', 'old.eml'], root)).code, 0);
      assert.match(fs.readFileSync(path.join(root, 'old.eml'), 'latin1'), /^Subject: Note$/m);
      assert.strictEqual((await run(['build', 'note.md', '-o', 'fresh.msg'], root)).code, 0);
    });
  });

  it('build refuses a hand-written cid: that no part provides (exit 2, its line) and writes nothing', async () => {
    fs.writeFileSync(path.join(root, 'page.html'), '<html><head><title>T</title><meta name="email:from" content="a@example.com"></head>\n<body>\n<img src="cid:image1">\n</body></html>\n');
    const r = await run(['build', 'page.html'], root);
    assert.strictEqual(r.code, 2, r.err);
    assert.match(r.err, /"cid:image1" \(line 3\) has no inline part/);
    assert.ok(!fs.existsSync(path.join(root, 'page.eml')));
  });
});

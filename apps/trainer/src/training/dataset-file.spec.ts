import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDatasetFile } from './dataset-file';

const OUTSIDE = 'dataset path must name a file inside the data directory (DATA_DIR)';

describe('readDatasetFile', () => {
  let root: string;
  let dataDir: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'datasets-'));
    dataDir = join(root, 'data');
    mkdirSync(join(dataDir, 'sub'), { recursive: true });
    writeFileSync(join(dataDir, 'iris.csv'), 'sepal_length,species\n');
    writeFileSync(join(dataDir, 'sub', 'more.csv'), 'x\n');
    writeFileSync(join(root, 'secret.txt'), 'root:x:0:0:root:/root:/bin/bash\n');
    symlinkSync(join(root, 'secret.txt'), join(dataDir, 'leak.csv'));
    symlinkSync(join(root, 'missing.txt'), join(dataDir, 'dangling.csv'));
    writeFileSync(join(dataDir, 'big.csv'), 'x'.repeat(5000));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads a file by a path relative to DATA_DIR, or absolute inside it', async () => {
    expect(await readDatasetFile(dataDir, 'iris.csv', 1024)).toEqual({ text: 'sepal_length,species\n', path: 'iris.csv' });
    expect(await readDatasetFile(dataDir, join(dataDir, 'sub', 'more.csv'), 1024)).toEqual({ text: 'x\n', path: 'sub/more.csv' });
    expect(await readDatasetFile(dataDir, 'sub/../iris.csv', 1024)).toMatchObject({ path: 'iris.csv' });
  });

  it.each([
    ['an absolute path outside', '/etc/passwd'],
    ['a file of the process', '/proc/self/environ'],
    ['a relative escape', '../secret.txt'],
    ['a deep relative escape', '../../../../../../etc/shadow'],
    ['a path outside that does not exist', '/no/such/file.csv'],
    ['a directory outside', '/etc'],
    ['a name far too long, outside', `/${'a'.repeat(5000)}`],
    ['the data directory itself', '.'],
    ['a NUL byte', 'iris.csv\0.txt'],
    ['a symlink leading out', 'leak.csv'],
  ])('refuses %s with one message that says nothing about the file', async (_what, path) => {
    await expect(readDatasetFile(dataDir, path, 1024)).rejects.toThrow(new Error(OUTSIDE));
  });

  it('names the problem for paths inside, never the contents', async () => {
    await expect(readDatasetFile(dataDir, 'nope.csv', 1024)).rejects.toThrow('no dataset file "nope.csv" in the data directory');
    await expect(readDatasetFile(dataDir, 'dangling.csv', 1024)).rejects.toThrow('no dataset file "dangling.csv" in the data directory');
    await expect(readDatasetFile(dataDir, 'sub', 1024)).rejects.toThrow('dataset path "sub" is not a regular file');
    await expect(readDatasetFile(dataDir, 'big.csv', 1024)).rejects.toThrow('dataset file "big.csv" has 5000 bytes, over DATASET_MAX_BYTES=1024');
  });

  it('explains a missing data directory', async () => {
    await expect(readDatasetFile(join(root, 'absent'), 'iris.csv', 1024)).rejects.toThrow(
      'the trainer has no data directory (DATA_DIR); CSV retrains are unavailable',
    );
  });
});

/**
 * A stand-in `vscode` module, so the extension bundle can be required and activated in plain Node to time it.
 * `Uri`, `EventEmitter` and `Disposable` behave; every other name is a callable, constructible stub whose
 * properties are stubs again. Nothing here is a test double for behaviour: it only lets `activate()` run.
 */
import Module from 'module';
import * as path from 'path';

const STUB_ID = '\0send-as-email-bench-vscode';

function stub(name: string): unknown {
  const children = new Map<PropertyKey, unknown>();
  const target = function stubFunction(): void {};
  return new Proxy(target, {
    get(t, prop) {
      if (prop === 'then' || prop === '__esModule' || prop === 'toJSON') return undefined;
      if (prop === Symbol.toPrimitive) return () => `[vscode ${name}]`;
      if (typeof prop === 'symbol' || Object.prototype.hasOwnProperty.call(t, prop)) return Reflect.get(t, prop);
      if (!children.has(prop)) children.set(prop, stub(`${name}.${prop}`));
      return children.get(prop);
    },
    // A property the extension sets (a status bar item's `name`, `text`...) reads back; a function's own `name` is read-only.
    set: (_t, prop, value) => {
      children.set(prop, value);
      return true;
    },
    apply: () => stub(`${name}()`),
    construct: () => stub(`new ${name}`) as object,
  });
}

class Uri {
  readonly scheme = 'file';
  readonly authority = '';
  readonly query = '';
  readonly fragment = '';
  readonly path: string;
  private constructor(readonly fsPath: string) {
    this.path = fsPath.split(path.sep).join('/');
  }
  static file(p: string): Uri {
    return new Uri(path.resolve(p));
  }
  static parse(s: string): Uri {
    return new Uri(s.replace(/^file:\/\//, ''));
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(path.join(base.fsPath, ...parts));
  }
  with(): Uri {
    return this;
  }
  toString(): string {
    return `file://${this.path}`;
  }
  toJSON(): unknown {
    return { scheme: this.scheme, path: this.path };
  }
}

class Disposable {
  constructor(private readonly onDispose: () => void = () => {}) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.onDispose();
  }
}

class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  readonly event = (listener: (e: T) => void): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

/** Makes `require('vscode')` return the stand-in in this process. */
export function installVscodeStub(): void {
  const exportsObject = Object.create(stub('vscode') as object) as Record<string, unknown>;
  Object.assign(exportsObject, { Uri, Disposable, EventEmitter, ExtensionMode: { Production: 1, Development: 2, Test: 3 }, version: '1.100.0' });
  const internals = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
    _cache: Record<string, unknown>;
  };
  const resolve = internals._resolveFilename;
  internals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return request === 'vscode' ? STUB_ID : resolve.call(this, request, ...rest);
  };
  internals._cache[STUB_ID] = { id: STUB_ID, filename: STUB_ID, loaded: true, exports: exportsObject, children: [], paths: [] };
}

/** The least an ExtensionContext needs for `activate()`: real storage paths, an in-memory SecretStorage. */
export function fakeContext(extensionDir: string, storageDir: string, extensionMode = 1): Record<string, unknown> {
  const secrets = new Map<string, string>();
  const memento = () => {
    const m = new Map<string, unknown>();
    return { get: (k: string, d?: unknown) => (m.has(k) ? m.get(k) : d), update: async (k: string, v: unknown) => void m.set(k, v), keys: () => [...m.keys()], setKeysForSync() {} };
  };
  const changed = new EventEmitter<unknown>();
  return {
    subscriptions: [] as { dispose(): unknown }[],
    extensionUri: Uri.file(extensionDir),
    extensionPath: extensionDir,
    asAbsolutePath: (p: string) => path.join(extensionDir, p),
    globalStorageUri: Uri.file(path.join(storageDir, 'global')),
    globalStoragePath: path.join(storageDir, 'global'),
    storageUri: Uri.file(path.join(storageDir, 'workspace')),
    logUri: Uri.file(path.join(storageDir, 'log')),
    extensionMode,
    globalState: memento(),
    workspaceState: memento(),
    secrets: {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => void secrets.set(k, v),
      delete: async (k: string) => void secrets.delete(k),
      onDidChange: changed.event,
    },
    environmentVariableCollection: stub('environmentVariableCollection'),
  };
}

/**
 * Loads Prisma's schema engine compiled to WebAssembly (`@prisma/schema-engine-wasm`,
 * the same Rust engine the `prisma` CLI would download as a native binary) and
 * runs one engine session against one database.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

import { CharterMigrationAdapterFactory } from './adapter';
import type { ConnectionSettings } from './connection';

type SchemaEngineClass = typeof SchemaEngine;

/** The wasm-bindgen glue module, as far as we use it. */
type EngineGlue = {
  SchemaEngine: SchemaEngineClass;
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
};

let engineClass: Promise<SchemaEngineClass> | undefined;

/**
 * The package's main entry imports the `.wasm` file as an ES module, which Node
 * cannot do without a flag; so we instantiate it ourselves and hand the
 * instance to the wasm-bindgen glue (as Prisma 6's CLI did). Done once per
 * process: the glue keeps a single module-level instance.
 */
export function loadSchemaEngine(): Promise<SchemaEngineClass> {
  engineClass ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue = (await import(gluePath)) as EngineGlue;
    const wasmBytes = await readFile(gluePath.replace(/\.js$/, '.wasm'));
    const module = await WebAssembly.compile(wasmBytes);
    const instance = await WebAssembly.instantiate(module, { './schema_engine_bg.js': withUnrefTimers(glue) });
    glue.__wbg_set_wasm(instance.exports);
    const start = instance.exports.__wbindgen_start;
    // wasm-bindgen's start function takes no arguments and returns nothing.
    if (typeof start === 'function') (start as () => void)();
    return glue.SchemaEngine;
  })();
  return engineClass;
}

/**
 * The engine arms timers (operation timeouts) and never clears them, which kept
 * a finished CLI process alive for ~10 s. Unref'd timers still fire while the
 * process is busy (open sockets keep it alive), but do not hold it open.
 */
function withUnrefTimers(glue: EngineGlue): WebAssembly.ModuleImports {
  const imports: Record<string, unknown> = { ...glue };
  for (const [name, value] of Object.entries(imports)) {
    if (name.startsWith('__wbg_setTimeout_') && typeof value === 'function') {
      const setTimeoutImport = value as (...args: unknown[]) => unknown;
      imports[name] = (...args: unknown[]): unknown => {
        const timer = setTimeoutImport(...args);
        if (timer && typeof (timer as NodeJS.Timeout).unref === 'function') (timer as NodeJS.Timeout).unref();
        return timer;
      };
    }
  }
  return imports as WebAssembly.ModuleImports;
}

export type EngineSessionOptions = {
  settings: ConnectionSettings;
  /** Prisma schema files as [path, content]; needed only by commands that read the schema. */
  schemaFiles?: [path: string, content: string][];
  /** Receives the engine's JSON log lines (tracing output). */
  log?: (line: string) => void;
};

/** Runs `fn` with a fresh engine on `settings`, then frees it and closes every pool it opened. */
export async function withSchemaEngine<T>({ settings, schemaFiles, log }: EngineSessionOptions, fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const Engine = await loadSchemaEngine();
  const factory = new CharterMigrationAdapterFactory(settings);
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  try {
    const engine = await Engine.new(
      // `datamodels` must be undefined or non-empty.
      { datamodels: schemaFiles && schemaFiles.length > 0 ? schemaFiles : undefined },
      log ?? (() => {}),
      bound,
    );
    try {
      return await fn(engine);
    } finally {
      engine.free();
    }
  } catch (error) {
    throw engineError(error, bound.errorRegistry);
  } finally {
    await factory.close();
  }
}

export class SchemaEngineError extends Error {
  override name = 'SchemaEngineError';
  constructor(
    message: string,
    /** Prisma error code such as P3006, when the engine gave one. */
    readonly code?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

type ErrorRegistryLike = {
  consumeError(id: number): { error: unknown } | undefined;
};

/**
 * Engine errors arrive as plain objects or Errors with `code`/`message`; errors
 * thrown by our adapter in JS come back as "GenericJs" with an id into the
 * adapter's error registry, where the original error is kept.
 */
function engineError(error: unknown, registry: ErrorRegistryLike): Error {
  if (error instanceof SchemaEngineError) return error;
  const record = error as { code?: unknown; message?: unknown; meta?: unknown } | null;
  const jsErrorId = findGenericJsId(error);
  if (jsErrorId !== undefined) {
    const original = registry.consumeError(jsErrorId)?.error;
    if (original instanceof Error) return new SchemaEngineError(original.message, undefined, { cause: original });
  }
  const message = typeof record?.message === 'string' ? record.message : String(error);
  const code = typeof record?.code === 'string' ? record.code : undefined;
  return new SchemaEngineError(withoutRustTrace(message), code, { cause: error });
}

/** Engine messages end with a Rust span trace ("   0: sql_schema_connector::…"); users need only the text. */
function withoutRustTrace(message: string): string {
  return message
    .split(/\n\s+0: /)[0]
    .replace(/^external connector error\n/, '')
    .trim();
}

function findGenericJsId(error: unknown): number | undefined {
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const match = /GenericJs[^0-9]*(\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

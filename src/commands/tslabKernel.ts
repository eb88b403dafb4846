/**
 * `node dist/commands/tslabKernel.js kernel --config-path FILE`: the tslab kernel as the
 * project's kernelspec starts it (shared/kernelspec.ts), tslab's own entry point after one fix.
 *
 * tslab 1.0.22's ZmqServer.init binds its five sockets at once and serves the shell socket as
 * soon as that one is bound. A kernel_info_request that arrives before the IOPub socket is
 * bound makes publishStatus("busy") throw EBUSY ("Socket is blocked by a bind or unbind
 * operation", an unhandled rejection in the kernel's log), the request is never answered, and
 * Jupyter waits 60 s for its reply before it goes on: a learner's first cell hangs a minute.
 * Seen on the class hub (test/hub/test_hub.py), three kernels starting at once on the 2-core
 * Xeon: one learner's first output at 64.5 s, the others' at 6.6 and 7.6 s. Here a shell or
 * control message waits until every socket is bound, in the order the messages came.
 */
import * as path from "node:path";

/** The part of tslab's ZmqServer this file wraps. */
export interface ZmqServerClass {
  prototype: {
    init(): Promise<void>;
    handleShellMessage(...args: unknown[]): Promise<void>;
  };
}

/** Wrap ZmqServer's init and handleShellMessage so that no message is handled before init's binds are done. */
export function waitForBinds(ZmqServer: ZmqServerClass): void {
  const proto = ZmqServer.prototype;
  const init = proto.init;
  const handle = proto.handleShellMessage;
  // Each server's binds; a failed bind is init's own error to report, not each message's.
  const bound = new WeakMap<object, Promise<unknown>>();
  proto.init = function (this: object): Promise<void> {
    const binds = init.call(this);
    bound.set(this, binds.catch(() => undefined));
    return binds;
  };
  proto.handleShellMessage = async function (this: object, ...args: unknown[]): Promise<void> {
    await bound.get(this);
    return handle.apply(this, args);
  };
}

if (require.main === module) {
  const tslab = path.dirname(require.resolve("tslab/package.json"));
  waitForBinds((require(path.join(tslab, "dist", "jupyter.js")) as { ZmqServer: ZmqServerClass }).ZmqServer);
  (require(path.join(tslab, "dist", "main.js")) as { main(): void }).main();
}

// danfojs-node requires "@tensorflow/tfjs-node", whose install downloads a TensorFlow binary
// (impossible offline). package.json overrides it with this folder: one tfjs-core instance with
// the pure-JavaScript CPU backend, registered before danfo makes its first tensor, and the rest
// of the tfjs API that danfo uses (tf.data for sample(), chained methods such as x.argMax()).
"use strict";
const fs = require("fs");
const path = require("path");
const tf = require("@tensorflow/tfjs-core");
require("@tensorflow/tfjs-backend-cpu");

// Production mode silences the CPU backend's first-tensor advice to install tfjs-node (this
// folder is that install's stand-in) and skips debug-only checks danfo never asks for.
tf.env().set("PROD", true);

// The chained methods (x.argMax(), x.toFloat(), ...) that the full tfjs adds to Tensor. tfjs-core
// ships them only as ES modules, one per method, each "import the op, set it on the prototype":
// run each file's body with its imports bound to tfjs-core's own exports.
const namespaces = [tf, tf.util, tf.image, tf.linalg, tf.signal, tf.spectral, tf.losses];
const exported = (name) => namespaces.map((space) => space[name]).find((value) => value !== undefined);
const chained = path.join(path.dirname(require.resolve("@tensorflow/tfjs-core/package.json")), "dist", "public", "chained_ops");
for (const file of fs.readdirSync(chained)) {
  if (!file.endsWith(".js") || file.startsWith("register_all")) continue;
  const source = fs.readFileSync(path.join(chained, file), "utf8");
  const names = [...source.matchAll(/^import \{([^}]*)\} from/gm)].flatMap((m) => m[1].split(",").map((s) => s.trim()).filter(Boolean));
  const values = names.map((name) => (name === "getGlobalTensorClass" ? () => tf.Tensor : exported(name)));
  const missing = names.filter((name, i) => values[i] === undefined);
  if (missing.length) throw new Error(`${file}: tfjs-core does not export ${missing.join(", ")}`);
  new Function(...names, source.replace(/^import .*$/gm, ""))(...values);
}

module.exports = { ...tf, data: require("@tensorflow/tfjs-data") };

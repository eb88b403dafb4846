// danfojs-node requires "@tensorflow/tfjs-node", whose install downloads a TensorFlow binary
// (impossible offline). package.json overrides it with this folder: one tfjs-core instance,
// with the pure-JavaScript CPU backend registered before danfo makes its first tensor.
"use strict";
const tf = require("@tensorflow/tfjs-core");
require("@tensorflow/tfjs-backend-cpu");
// Production mode silences the CPU backend's first-tensor advice to install tfjs-node (this
// folder is that install's stand-in) and skips debug-only checks danfo never asks for.
tf.env().set("PROD", true);
module.exports = tf;

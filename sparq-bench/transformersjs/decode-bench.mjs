// transformers.js side of sparq-bench/transformersjs-bench.sh: greedy decoding on CPU of the SAME
// ONNX files sparq-onnx reads (the Optimum layout written by OnnxGenerationBench), on the SAME
// prompts (token ids read from the prompts file the Java side wrote), writing the generated token
// ids and the wall time of each generate() call as JSON.
//
//   node decode-bench.mjs <model dir> <prompts.json> <out.json> <threads> <reps>
//
// The bench model's config.json says model_type "sparq_tiny", which transformers.js does not know;
// the graph has the inputs and outputs of a Llama export (input_ids, attention_mask, position_ids,
// past_key_values.*, logits, present.*), so it is loaded as LlamaForCausalLM with that config.
import fs from 'node:fs';
import path from 'node:path';
import { env, LlamaForCausalLM, PretrainedConfig, Tensor } from '@huggingface/transformers';

const [dir, promptsFile, outFile, threadsArg, repsArg] = process.argv.slice(2);
if (!dir || !promptsFile || !outFile) {
  console.error('usage: node decode-bench.mjs <model dir> <prompts.json> <out.json> [threads] [reps]');
  process.exit(2);
}
const threads = Number(threadsArg ?? 0);
const reps = Number(repsArg ?? 3);
const modelDir = path.resolve(dir);

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(modelDir) + path.sep;

const configJson = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8'));
const config = new PretrainedConfig({ ...configJson, model_type: 'llama', architectures: ['LlamaForCausalLM'] });
const external = fs.existsSync(path.join(modelDir, 'onnx', 'model.onnx_data'));
// As sparq-onnx runs by default: all graph optimisations, intra-op threads not spinning.
const sessionOptions = {
  graphOptimizationLevel: 'all',
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};
if (threads > 0) {
  sessionOptions.intraOpNumThreads = threads;
}
const model = await LlamaForCausalLM.from_pretrained(path.basename(modelDir), {
  config,
  dtype: 'fp32',
  device: 'cpu',
  local_files_only: true,
  use_external_data_format: external,
  session_options: sessionOptions,
});

const spec = JSON.parse(fs.readFileSync(promptsFile, 'utf8'));
const padId = BigInt(spec.pad_id);

/** Left-pads the prompts into input_ids and attention_mask tensors. */
function batchTensors(prompts) {
  const b = prompts.length;
  const s = Math.max(...prompts.map((p) => p.length));
  const ids = new BigInt64Array(b * s);
  const mask = new BigInt64Array(b * s);
  prompts.forEach((p, i) => {
    const pad = s - p.length;
    for (let j = 0; j < s; j++) {
      const real = j >= pad;
      ids[i * s + j] = real ? BigInt(p[j - pad]) : padId;
      mask[i * s + j] = real ? 1n : 0n;
    }
  });
  return {
    s,
    input_ids: new Tensor('int64', ids, [b, s]),
    attention_mask: new Tensor('int64', mask, [b, s]),
  };
}

async function run(prompts, maxNew) {
  const t = batchTensors(prompts);
  const t0 = process.hrtime.bigint();
  const out = await model.generate({
    input_ids: t.input_ids,
    attention_mask: t.attention_mask,
    max_new_tokens: maxNew,
    min_new_tokens: maxNew,
    do_sample: false,
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const [b, total] = out.dims;
  const ids = [];
  for (let i = 0; i < b; i++) {
    const row = [];
    for (let j = t.s; j < total; j++) {
      row.push(Number(out.data[i * total + j]));
    }
    ids.push(row);
  }
  return { secs, ids };
}

await run(spec.batches[0].prompts.slice(0, 1), 4); // warm-up
const results = [];
for (const batch of spec.batches) {
  const times = [];
  let ids = null;
  for (let r = 0; r < reps; r++) {
    const res = await run(batch.prompts, spec.tokens);
    times.push(res.secs);
    ids = res.ids;
  }
  results.push({ batch: batch.prompts.length, seconds: times, ids });
  console.error(`transformers.js batch ${batch.prompts.length}: ${times.map((x) => x.toFixed(3)).join(', ')} s`);
}
fs.writeFileSync(outFile, JSON.stringify({
  runtime: 'transformers.js',
  version: JSON.parse(fs.readFileSync(new URL('./node_modules/@huggingface/transformers/package.json', import.meta.url), 'utf8')).version,
  threads,
  results,
}));
await model.dispose();

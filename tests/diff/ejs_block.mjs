// Times ethereumjs executing a whole block: the block exported by
// `pkbench export` (one state test per transaction, the first test's
// pre-state being the block's), every transaction run in order in one VM and
// one block. Only the runTx loop is timed (state loading and transaction
// decoding are not). Prints one JSON object: txs, gas, ms, root; the root is
// checked against the last test's post-state root, so both sides did the
// same work.
//
// usage: node tests/diff/ejs_block.mjs EXPORTED.json
import { readFileSync } from 'node:fs'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { createTxFromRLP } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { createVM, runTx } from '@ethereumjs/vm'
import { FORKS, loadPre, makeBlock, makeCommon } from './run_state_test.mjs'

const file = process.argv[2]
if (!file) {
  console.error('usage: node ejs_block.mjs EXPORTED.json')
  process.exit(2)
}
const doc = JSON.parse(readFileSync(file, 'utf8'))
const tests = Object.values(doc)
const fork = Object.keys(tests[0].post)[0]
if (!FORKS[fork]) {
  console.error(`ejs_block: fork ${fork} not supported`)
  process.exit(2)
}
const common = makeCommon(fork, BigInt(tests[0].config?.chainid ?? '0x01'))
const sm = new MerkleStateManager({ common })
await loadPre(sm, tests[0].pre)
const vm = await createVM({ common, stateManager: sm })
const block = makeBlock(tests[0].env, common)
const txs = tests.map((t) => createTxFromRLP(hexToBytes(t.post[fork][0].txbytes), { common }))
let gas = 0n
const t0 = process.hrtime.bigint()
for (const tx of txs) {
  const r = await runTx(vm, { tx, block, skipHardForkValidation: true })
  gas += r.totalGasSpent
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6
const root = bytesToHex(await vm.stateManager.getStateRoot())
const want = tests[tests.length - 1].post[fork][0].hash.toLowerCase()
console.log(JSON.stringify({ txs: txs.length, gas: gas.toString(), ms, root, root_matches: root === want }))
process.exit(root === want ? 0 : 1)

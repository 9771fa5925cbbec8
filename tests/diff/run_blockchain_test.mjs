// Replays blockchain tests (as `pkbench export --format blockchain_test`
// writes them) in ethereumjs: the genesis and every block are decoded from
// their RLP, and each block is run with vm.runBlock, which checks the header's
// stateRoot, receiptTrie, logsBloom, gasUsed and requestsHash against its own
// execution and throws on any difference.
//
// usage: node run_blockchain_test.mjs [--quiet] FIXTURE.json...
//
// Checked per fixture, besides runBlock's own validation:
//   - the genesis RLP hashes to genesisBlockHeader.hash and its stateRoot is
//     the root of `pre` as ethereumjs builds it;
//   - each block's RLP hashes to blockHeader.hash and its body validates
//     (transactions trie, signatures, ommers hash, withdrawals root, and the
//     EIP-7934 size limit where active);
//   - each header against its parent as a client checks it: parentHash,
//     number, timestamp, gas limit bounds, base fee (EIP-1559) and excess blob
//     gas (EIP-4844 / EIP-7918) computed from the parent;
//   - the last block hash is lastblockhash and the final state root is
//     postStateHash (or the root of postState).
// BLOCKHASH inside a block sees the hashes of the chain's earlier blocks, the
// genesis included, and zero for any other, as a chain that starts at that
// genesis gives.
//
// One line per fixture on stdout: "PASS NAME ..." or "FAIL NAME: why", then a
// summary line. Exit status: 0 all passed, 1 some failed, 2 bad usage or an
// unreadable file.

import { readFileSync } from 'node:fs'
import { createBlockFromRLP } from '@ethereumjs/block'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { createVM, runBlock } from '@ethereumjs/vm'
import { FORKS, loadPre, makeCommon } from './run_state_test.mjs'

const args = process.argv.slice(2)
const quiet = args[0] === '--quiet'
const files = quiet ? args.slice(1) : args
if (files.length === 0) {
  console.error('usage: node run_blockchain_test.mjs [--quiet] FIXTURE.json...')
  process.exit(2)
}

const ZERO32 = new Uint8Array(32)

function check(cond, what) {
  if (!cond) throw new Error(what)
}

function checkAgainstParent(h, p, common) {
  check(bytesToHex(h.parentHash) === bytesToHex(p.hash()), 'parentHash is not the parent block hash')
  check(h.number === p.number + 1n, `number ${h.number} does not follow ${p.number}`)
  check(h.timestamp > p.timestamp, 'timestamp not after the parent')
  h.validateGasLimit(p)
  check(h.baseFeePerGas === p.calcNextBaseFee(), `baseFeePerGas ${h.baseFeePerGas} != ${p.calcNextBaseFee()} from the parent`)
  const want = p.calcNextExcessBlobGas(common)
  check(h.excessBlobGas === want, `excessBlobGas ${h.excessBlobGas} != ${want} from the parent`)
}

async function runFixture(name, t) {
  const fork = t.network
  if (!FORKS[fork]) throw new Error(`network ${fork} not supported`)
  const common = makeCommon(fork, BigInt(t.config?.chainid ?? '0x01'))
  const opts = { common, setHardfork: false }
  const genesis = createBlockFromRLP(hexToBytes(t.genesisRLP), opts)
  check(bytesToHex(genesis.hash()) === t.genesisBlockHeader.hash.toLowerCase(), 'genesis RLP hash differs from genesisBlockHeader.hash')
  const sm = new MerkleStateManager({ common })
  await loadPre(sm, t.pre)
  check(bytesToHex(await sm.getStateRoot()) === bytesToHex(genesis.header.stateRoot), 'root of pre differs from the genesis stateRoot')
  const chain = [genesis]
  const blockchain = {
    async getBlock(n) {
      const b = chain.find((x) => x.header.number === BigInt(n))
      return b ?? { hash: () => ZERO32 }
    },
    async putBlock() {},
    shallowCopy() {
      return this
    },
  }
  const vm = await createVM({ common, stateManager: sm, blockchain })
  let gas = 0n
  for (const [i, jb] of t.blocks.entries()) {
    const block = createBlockFromRLP(hexToBytes(jb.rlp), opts)
    check(bytesToHex(block.hash()) === jb.blockHeader.hash.toLowerCase(), `block ${i}: RLP hash differs from blockHeader.hash`)
    checkAgainstParent(block.header, chain[chain.length - 1].header, common)
    await block.validateData(false, true, true)
    // runBlock compares stateRoot, receiptTrie, logsBloom, gasUsed and
    // requestsHash with its own results and throws on a difference.
    const r = await runBlock(vm, { block, skipHeaderValidation: true, skipHardForkValidation: true })
    gas += r.gasUsed
    chain.push(block)
  }
  const last = chain[chain.length - 1]
  check(bytesToHex(last.hash()) === t.lastblockhash.toLowerCase(), 'lastblockhash differs')
  const root = bytesToHex(await vm.stateManager.getStateRoot())
  if (t.postStateHash) check(root === t.postStateHash.toLowerCase(), `final root ${root} != postStateHash`)
  return { blocks: t.blocks.length, gas }
}

let pass = 0
let fail = 0
for (const f of files) {
  let doc
  try {
    doc = JSON.parse(readFileSync(f, 'utf8'))
  } catch (e) {
    console.error(`${f}: ${e.message}`)
    process.exit(2)
  }
  for (const [name, t] of Object.entries(doc)) {
    try {
      const r = await runFixture(name, t)
      pass++
      if (!quiet) console.log(`PASS ${name} blocks=${r.blocks} gas=${r.gas}`)
    } catch (e) {
      fail++
      console.log(`FAIL ${name}: ${String(e.message ?? e).split('\n')[0].slice(0, 300)}`)
    }
  }
}
console.log(`blockchain tests: ${pass} passed, ${fail} failed`)
process.exit(fail ? 1 : 0)

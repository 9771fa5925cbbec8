// Replays filled state tests (as `pkbench export --format state_test` writes
// them) in ethereumjs and compares its outcome with the fixture's.
//
// usage: node run_state_test.mjs [--quiet] FIXTURE.json...
//
// For every test and every post entry: the pre-state is loaded into a fresh
// ethereumjs state, the entry's txbytes are decoded and run with runTx in a
// block made from env, and ethereumjs's post-state root, gas used and logs hash
// are printed and compared with the entry's `hash`, `logs` and the gas pkbench
// recorded in _info["gas-used"] (when present). A transaction ethereumjs
// rejects must be one the fixture marks with expectException, and the reverse.
// On a root mismatch the first differing account is named from the entry's
// `state` (the full post-state, when the fixture carries it).
//
// One line per case on stdout: "PASS NAME ..." or "FAIL NAME ...", then a
// summary line. Exit status: 0 all passed, 1 some failed, 2 bad usage or a
// fixture that cannot be read.

import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { createBlock } from '@ethereumjs/block'
import { Hardfork, Mainnet, createCustomCommon } from '@ethereumjs/common'
import { RLP } from '@ethereumjs/rlp'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { createTxFromRLP } from '@ethereumjs/tx'
import {
  bigIntToBytes,
  bytesToHex,
  createAccount,
  createAddressFromString,
  hexToBytes,
  setLengthLeft,
} from '@ethereumjs/util'
import { createVM, runTx } from '@ethereumjs/vm'
import { keccak_256 } from '@noble/hashes/sha3.js'

export const FORKS = { Cancun: Hardfork.Cancun, Prague: Hardfork.Prague, Osaka: Hardfork.Osaka }

const big = (s) => BigInt(s)
const word = (s) => setLengthLeft(bigIntToBytes(BigInt(s)), 32)
const hexQty = (v) => '0x' + v.toString(16)
const keccakHex = (bytes) => bytesToHex(keccak_256(bytes))

// Blob transactions are replayed in their canonical form, without blobs, so
// no KZG work is ever needed; ethereumjs still wants a KZG object in place.
const noKzg = new Proxy(
  {},
  {
    get: () => () => {
      throw new Error('KZG is not available in this runner')
    },
  },
)

export function makeCommon(fork, chainId) {
  return createCustomCommon({ chainId: Number(chainId) }, Mainnet, {
    hardfork: FORKS[fork],
    customCrypto: { kzg: noKzg },
  })
}

export async function loadPre(sm, pre) {
  for (const [addr, acc] of Object.entries(pre)) {
    const a = createAddressFromString(addr)
    await sm.putAccount(a, createAccount({ nonce: big(acc.nonce), balance: big(acc.balance) }))
    const code = hexToBytes(acc.code)
    if (code.length > 0) await sm.putCode(a, code)
    for (const [k, v] of Object.entries(acc.storage ?? {})) {
      if (big(v) !== 0n) await sm.putStorage(a, word(k), bigIntToBytes(big(v)))
    }
  }
  await sm.checkpoint()
  await sm.commit()
}

export function makeBlock(env, common) {
  const header = {
    number: big(env.currentNumber),
    coinbase: env.currentCoinbase,
    timestamp: big(env.currentTimestamp),
    gasLimit: big(env.currentGasLimit),
    difficulty: 0n,
    mixHash: word(env.currentRandom),
    baseFeePerGas: big(env.currentBaseFee),
    excessBlobGas: big(env.currentExcessBlobGas ?? '0x00'),
    blobGasUsed: 0n,
    parentBeaconBlockRoot: new Uint8Array(32),
  }
  if (common.isActivatedEIP(7685)) header.requestsHash = keccak_256(new Uint8Array(0))
  return createBlock({ header }, { common, skipConsensusFormatValidation: true })
}

// The first account (in the order of the expected state, then the pre-state)
// whose nonce, balance, code or a storage slot differs, as a sentence.
async function firstDiff(sm, expected, pre) {
  const addrs = [...new Set([...Object.keys(expected), ...Object.keys(pre)])]
  for (const addr of addrs) {
    const a = createAddressFromString(addr)
    const want = expected[addr]
    const got = await sm.getAccount(a)
    if (!want) {
      if (got) return `${addr}: exists in ethereumjs, deleted in pkbench`
      continue
    }
    if (!got) return `${addr}: exists in pkbench, absent in ethereumjs`
    if (got.nonce !== big(want.nonce)) return `${addr}: nonce pkbench ${want.nonce} ethereumjs ${hexQty(got.nonce)}`
    if (got.balance !== big(want.balance))
      return `${addr}: balance pkbench ${want.balance} ethereumjs ${hexQty(got.balance)}`
    const code = bytesToHex(await sm.getCode(a))
    if (code !== want.code.toLowerCase()) return `${addr}: code differs (pkbench ${want.code.length / 2 - 1} bytes, ethereumjs ${code.length / 2 - 1})`
    const keys = new Set([...Object.keys(want.storage ?? {}), ...Object.keys(pre[addr]?.storage ?? {})])
    for (const k of keys) {
      const w = big(want.storage?.[k] ?? '0x00')
      const gb = await sm.getStorage(a, word(k))
      const g = gb.length ? BigInt(bytesToHex(gb)) : 0n
      if (w !== g) return `${addr}: storage[${k}] pkbench ${hexQty(w)} ethereumjs ${hexQty(g)}`
    }
  }
  return 'no differing account among those the fixture lists'
}

async function runCase(name, test, fork, entry) {
  const chainId = big(test.config?.chainid ?? '0x01')
  const common = makeCommon(fork, chainId)
  const sm = new MerkleStateManager({ common })
  await loadPre(sm, test.pre)
  const vm = await createVM({ common, stateManager: sm })
  const block = makeBlock(test.env, common)
  let res, rejected
  try {
    const tx = createTxFromRLP(hexToBytes(entry.txbytes), { common })
    res = await runTx(vm, { tx, block, skipHardForkValidation: true })
  } catch (e) {
    rejected = String(e?.message ?? e).split('\n')[0].slice(0, 160)
  }
  const root = bytesToHex(await vm.stateManager.getStateRoot())
  const gas = res ? res.totalGasSpent : 0n
  const logs = res && !res.execResult.exceptionError ? (res.execResult.logs ?? []) : []
  const logsHash = keccakHex(RLP.encode(logs))

  const problems = []
  if (root !== entry.hash.toLowerCase()) problems.push(`root pkbench ${entry.hash} ethereumjs ${root}`)
  if (logsHash !== entry.logs.toLowerCase()) problems.push(`logs pkbench ${entry.logs} ethereumjs ${logsHash}`)
  const wantGas = test._info?.['gas-used']
  if (wantGas !== undefined && big(wantGas) !== gas) problems.push(`gas pkbench ${big(wantGas)} ethereumjs ${gas}`)
  if (entry.expectException && !rejected)
    problems.push(`pkbench rejects the transaction (${entry.expectException}), ethereumjs runs it`)
  if (!entry.expectException && rejected) problems.push(`ethereumjs rejects the transaction: ${rejected}`)
  if (problems.length && root !== entry.hash.toLowerCase() && entry.state)
    problems.push('first differing account: ' + (await firstDiff(vm.stateManager, entry.state, test.pre)))
  const facts = `[${fork}] root=${root} gas=${gas} logs=${logsHash}${rejected ? ' rejected' : ''}`
  return { ok: problems.length === 0, line: `${name} ${facts}${problems.length ? ': ' + problems.join('; ') : ''}` }
}

async function main() {
  const args = process.argv.slice(2)
  const quiet = args[0] === '--quiet'
  const files = quiet ? args.slice(1) : args
  if (files.length === 0) {
    console.error('usage: node run_state_test.mjs [--quiet] FIXTURE.json...')
    return 2
  }
  let pass = 0
  let fail = 0
  for (const file of files) {
    let doc
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'))
    } catch (e) {
      console.error(`run_state_test: ${file}: ${e.message}`)
      return 2
    }
    for (const [name, test] of Object.entries(doc)) {
      for (const [fork, entries] of Object.entries(test.post ?? {})) {
        if (!FORKS[fork]) {
          console.log(`FAIL ${name} [${fork}]: fork not supported by this runner`)
          fail++
          continue
        }
        for (const entry of entries) {
          let r
          try {
            r = await runCase(name, test, fork, entry)
          } catch (e) {
            r = { ok: false, line: `${name} [${fork}]: runner error: ${String(e?.message ?? e).split('\n')[0]}` }
          }
          if (r.ok) pass++
          else fail++
          if (!r.ok || !quiet) console.log(`${r.ok ? 'PASS' : 'FAIL'} ${r.line}`)
        }
      }
    }
  }
  console.log(`ethereumjs: ${pass + fail} cases, ${pass} passed, ${fail} failed`)
  return fail ? 1 : 0
}

// Run as a program (not when imported by the benchmark script).
if (import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main()

// What the Node benches share (parse.mjs, ab.mjs, calls.mjs): the session-line corpus,
// deterministic synthetic lines (calls of every kind and `local` tag lines; with
// `callsOnly` the tag lines' places hold calls), and the checks of their arguments.
export function sessionLines(n, { callsOnly = false } = {}) {
  let seed = 12345
  const rnd = (k) => {
    seed = (seed * 1103515245 + 12345) >>> 0
    return seed % k
  }
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const kinds = ['inbound', 'outbound', 'transfer']
  const pad = (v, w = 2) => String(v).padStart(w, '0')
  const lines = []
  for (let i = 0; i < n; i++) {
    const ch = rnd(96)
    const t0 = 1509673023 + i * 7
    const d = new Date((t0 - 5 * 3600) * 1000)
    const ts = `[${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} -0500]`
    const ani = String(2000000000 + rnd(7999999999))
    const dnis = String(6170000000 + rnd(9999999))
    const sid = `${300000 + rnd(200)};${pad(ch, 3)};${t0}`
    if (rnd(4) === 0 && !callsOnly) {
      lines.push(`local ${ani} ${ch} ${ts} ${dnis} ${sid} fetchurl: http://example.com/app/start.php?caller=${ani}`)
    } else {
      const len = rnd(4000)
      const h = Math.floor(len / 3600)
      const m = Math.floor((len % 3600) / 60)
      lines.push(`${kinds[rnd(3)]} ${ani} ${ch} ${ts} ${dnis} ${sid} ${t0 + 3} ${t0 + 3 + len} ${pad(h)}:${pad(m)}:${pad(len % 60)}`)
    }
  }
  return lines.join('\n') + '\n'
}

// A bench's integer argument: `fallback` when absent, else an integer in min..max.
export function intArg(name, raw, fallback, min, max) {
  const v = raw === undefined ? fallback : Number(raw)
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${raw}`)
  return v
}

// A bench's required argument, or its usage line and exit status 2.
export function requiredArg(value, usage) {
  if (!value) {
    console.error(`usage: ${usage}`)
    process.exit(2)
  }
  return value
}

/**
 * Test certificates made with Debian's `openssl` (in a temporary directory removed at once): a CA,
 * a server certificate for 127.0.0.1, and client certificates (one signed by the CA, one
 * self-signed), all EC P-256.
 */
import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** One certificate: PEM key and certificate, DER bytes. */
export interface TestCertificate {
  key: string
  cert: string
  der: Uint8Array
}

export interface TestCertificates {
  ca: TestCertificate
  /** For `127.0.0.1` (subjectAltName IP), signed by the CA. */
  server: TestCertificate
  /** Client certificates signed by the CA. */
  clients: TestCertificate[]
  /** A self-signed client certificate. */
  selfSigned: TestCertificate
}

/** Generates a CA, a server certificate and `clients` client certificates (default 2). */
export function generateCertificates(clients = 2): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'rs-certs-'))
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  const read = (name: string): TestCertificate => {
    const cert = readFileSync(join(dir, `${name}.crt`), 'utf8')
    return { key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert, der: new Uint8Array(new X509Certificate(cert).raw) }
  }
  const newKey = (name: string) => run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`)
  const signed = (name: string, subject: string, ext?: string) => {
    newKey(name)
    run('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`)
    const extArgs = ext ? ['-extfile', `${name}.ext`] : []
    if (ext) writeFileSync(join(dir, `${name}.ext`), ext)
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.crt`,
      ...extArgs,
    )
    return read(name)
  }
  try {
    newKey('ca')
    run('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=rs-test-ca', '-days', '2', '-out', 'ca.crt')
    const ca = read('ca')
    const server = signed('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
    const list = Array.from({ length: clients }, (_, i) => signed(`client${i}`, `/CN=client-${i}`, 'extendedKeyUsage=clientAuth\n'))
    newKey('self')
    run('req', '-x509', '-new', '-key', 'self.key', '-subj', '/CN=self-signed-client', '-days', '2', '-out', 'self.crt')
    return { ca, server, clients: list, selfSigned: read('self') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

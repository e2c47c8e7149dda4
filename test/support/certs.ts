/**
 * A throw-away PKI for tests: a test CA, server certificates it signs (valid, expired, for another
 * host name) and a self-signed one, built with node-forge. The RSA keys come from Node's native
 * `crypto` (fast); forge only assembles and signs the X.509 certificates.
 *
 *   const pki = testPki();              // memoized for the whole test process
 *   startSmtpServer({ cert: pki.server })   // trusted when the client sets caFile: pki.caFile
 *   startSmtpServer({ cert: pki.selfSigned }) // trusted by nobody
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import forge from 'node-forge';

/** A PEM certificate with its PEM private key, in the shape `tls.createServer` takes. */
export interface CertAndKey {
  cert: string;
  key: string;
}

export interface TestPki {
  /** The test CA (self-signed, `cA: true`). */
  ca: CertAndKey;
  /** Path of a PEM file holding the CA certificate: what `sendAsEmail.smtp.caFile` points to. */
  caFile: string;
  /** Signed by the CA for `localhost`, `127.0.0.1` and `::1`, valid now. */
  server: CertAndKey;
  /** Signed by the CA for the same names, but expired yesterday. */
  expired: CertAndKey;
  /** Signed by the CA, valid, but only for `other.example` (host name mismatch on loopback). */
  wrongHost: CertAndKey;
  /** Self-signed for `localhost`/`127.0.0.1`: not trusted even with `caFile` set. */
  selfSigned: CertAndKey;
}

export interface IssueOptions {
  /** DNS names and IP addresses for subjectAltName; the first is also the CN. */
  hosts?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

const DAY = 24 * 60 * 60 * 1000;
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1'];

interface KeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  keyPem: string;
}

function newKeyPair(): KeyPair {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey),
    publicKey: forge.pki.publicKeyFromPem(publicKey),
    keyPem: privateKey,
  };
}

function serial(): string {
  // Positive (leading 0x01) and unique, as X.509 wants.
  return '01' + crypto.randomBytes(15).toString('hex');
}

function altNames(hosts: string[]): { type: number; value?: string; ip?: string }[] {
  return hosts.map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? { type: 7, ip: h } : { type: 2, value: h }));
}

function build(
  keys: KeyPair,
  subjectCn: string,
  issuer: { cn: string; key: forge.pki.rsa.PrivateKey } | undefined,
  extensions: object[],
  notBefore: Date,
  notAfter: Date,
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([
    { name: 'commonName', value: subjectCn },
    { name: 'organizationName', value: 'Send as Email tests' },
  ]);
  cert.setIssuer([
    { name: 'commonName', value: issuer ? issuer.cn : subjectCn },
    { name: 'organizationName', value: 'Send as Email tests' },
  ]);
  cert.setExtensions([...extensions, { name: 'subjectKeyIdentifier' }]);
  cert.sign(issuer ? issuer.key : keys.privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

function leafExtensions(hosts: string[]): object[] {
  return [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: altNames(hosts) },
  ];
}

/** A new CA (its own key), valid from yesterday for 30 days. */
export function createCa(cn = 'Send as Email Test CA'): CertAndKey & { cn: string } {
  const keys = newKeyPair();
  const now = Date.now();
  const cert = build(
    keys,
    cn,
    undefined,
    [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true, digitalSignature: true },
    ],
    new Date(now - DAY),
    new Date(now + 30 * DAY),
  );
  return { cert, key: keys.keyPem, cn };
}

/** A server certificate signed by `ca` (default hosts: localhost, 127.0.0.1, ::1; valid now). */
export function issueServerCert(ca: CertAndKey & { cn: string }, options: IssueOptions = {}): CertAndKey {
  const hosts = options.hosts ?? LOOPBACK_HOSTS;
  const keys = newKeyPair();
  const now = Date.now();
  const cert = build(
    keys,
    hosts[0],
    { cn: ca.cn, key: forge.pki.privateKeyFromPem(ca.key) },
    leafExtensions(hosts),
    options.notBefore ?? new Date(now - DAY),
    options.notAfter ?? new Date(now + 30 * DAY),
  );
  return { cert, key: keys.keyPem };
}

/** A self-signed server certificate (no CA vouches for it). */
export function selfSignedCert(options: IssueOptions = {}): CertAndKey {
  const hosts = options.hosts ?? LOOPBACK_HOSTS;
  const keys = newKeyPair();
  const now = Date.now();
  const cert = build(
    keys,
    hosts[0],
    undefined,
    leafExtensions(hosts),
    options.notBefore ?? new Date(now - DAY),
    options.notAfter ?? new Date(now + 30 * DAY),
  );
  return { cert, key: keys.keyPem };
}

let cached: TestPki | undefined;

/** The shared test PKI, created on first use and kept for the rest of the process. */
export function testPki(): TestPki {
  if (cached) return cached;
  const ca = createCa();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-as-email-pki-'));
  const caFile = path.join(dir, 'test-ca.pem');
  fs.writeFileSync(caFile, ca.cert);
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const now = Date.now();
  cached = {
    ca: { cert: ca.cert, key: ca.key },
    caFile,
    server: issueServerCert(ca),
    expired: issueServerCert(ca, { notBefore: new Date(now - 30 * DAY), notAfter: new Date(now - DAY) }),
    wrongHost: issueServerCert(ca, { hosts: ['other.example'] }),
    selfSigned: selfSignedCert(),
  };
  return cached;
}

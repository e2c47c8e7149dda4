/** A small seeded PRNG (mulberry32): the same seed gives the same workloads on every machine and run. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next 32-bit unsigned integer. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 0x1_0000_0000;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.float() * list.length)]!;
  }

  /** Fills `buf` with noise (deflate cannot shrink it, so file sizes are what they say). */
  fill(buf: Buffer): void {
    const whole = buf.length & ~3;
    for (let i = 0; i < whole; i += 4) buf.writeUInt32LE(this.next(), i);
    for (let i = whole; i < buf.length; i++) buf[i] = this.next() & 0xff;
  }
}

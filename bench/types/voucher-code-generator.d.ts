declare module 'voucher-code-generator' {
  interface Options {
    length?: number;
    count?: number;
    charset?: string;
    prefix?: string;
    postfix?: string;
    pattern?: string;
  }
  const voucherCodes: { generate(options: Options): string[]; charset(name: string): string };
  export default voucherCodes;
}

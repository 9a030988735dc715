// Placeholder: replaced by the real `kos demo` command.
export async function main(_argv: string[]): Promise<number> {
  console.error("kos demo: not implemented yet");
  return 1;
}

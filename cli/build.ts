// Placeholder: replaced by the real `kos build` command.
export async function main(_argv: string[]): Promise<number> {
  console.error("kos build: not implemented yet");
  return 1;
}

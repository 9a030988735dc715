// Placeholder: replaced by the real `kos profile` command.
export async function main(_argv: string[]): Promise<number> {
  console.error("kos profile: not implemented yet");
  return 1;
}

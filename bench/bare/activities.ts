export function createBareActivities() {
  return {
    async noop(step: number): Promise<number> {
      return step;
    },
  };
}

export type BareActivities = ReturnType<typeof createBareActivities>;

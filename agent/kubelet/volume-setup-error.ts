// The failure of one volume's setup: reported as a FailedMount event (`MountVolume.SetUp failed for volume "x" : …`)
// while the pod waits in ContainerCreating and is retried.
export class VolumeSetupError extends Error {
  constructor(
    readonly volume: string,
    message: string,
  ) {
    super(message);
    this.name = 'VolumeSetupError';
  }
}

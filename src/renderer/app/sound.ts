// The alarm tone: a short two-note beep made with WebAudio, so no sound file has to be fetched.
let context: AudioContext | null = null;

/** Browsers start audio only after a gesture; the first key or click unlocks it. */
export function unlockAudio(): void {
  if (!context) {
    try {
      context = new AudioContext();
    } catch {
      return;
    }
  }
  if (context.state === 'suspended') void context.resume();
}

export function playAlarm(): void {
  if (!context) unlockAudio();
  const audio = context;
  if (!audio || audio.state !== 'running') return;
  const start = audio.currentTime;
  for (const [offset, frequency] of [
    [0, 880],
    [0.18, 660],
  ] as const) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.16);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start + offset);
    oscillator.stop(start + offset + 0.17);
  }
}

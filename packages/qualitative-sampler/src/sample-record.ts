/** One line of samples.jsonl: one probe sample at one sampling. */
export interface SampleRecord {
  step: number;
  epoch: number;
  id: number;
  input?: string;
  image?: string;
  label: string;
  prediction: string;
  correct?: boolean;
  confidence?: number;
  topK?: { label: string; p: number }[];
  /** Token edit distance between decoded prediction and label (sequence outputs). */
  distance?: number;
  refTokens?: number;
}

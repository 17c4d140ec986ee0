"""The assist's pure part: from arrays (audio samples, speech probabilities, keypoints per frame)
to proposed events with a confidence. No model loading and no files here: the shell
(``samspill.detectors``) decodes media and runs models, and hands plain arrays in.

A proposal is a suggestion, never a code: it becomes an event only when a person accepts it.
"""

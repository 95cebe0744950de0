"""Sound for eyes-closed guidance: synthesis, mixing and the live output stream.

Everything here needs numpy (and the output, miniaudio), so nothing in this package is imported
when calmfeet starts: a session imports it when it first needs sound.
"""

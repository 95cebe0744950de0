"""The domain of calmfeet: plain Python that never imports Textual."""

"""Text processing for German news: sentence splitting with exact character offsets."""

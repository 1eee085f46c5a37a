"""Architectures as data: layer kinds and their shape/cost rules, the spec graph, the course's blocks, the zoo, spec files. No TensorFlow at import."""

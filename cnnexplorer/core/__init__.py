"""The Qt-free core: layer specs, shapes, costs, the zoo, datasets, training.

Nothing under this package imports Qt, and TensorFlow/Keras are imported only inside the
functions that need them, so the architecture tables stay instant.
"""

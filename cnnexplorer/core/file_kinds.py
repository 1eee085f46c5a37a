"""Which file name endings mean what: one list each, for the loaders, the CLI and the dialogs.

A module that imports nothing, so the GUI's open dialogs can build their filters from these
lists at launch without loading NumPy, Pillow or the loaders (gui/file_filters.py).
"""

#: a saved Keras model (load, save, inspect, the CLI's zoo-key-or-file decision, the dialogs)
MODEL_SUFFIXES = (".keras", ".h5", ".hdf5")
#: a course HDF5 dataset file, and a NumPy archive (core.data.load.load_dataset)
HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf")
NPZ_SUFFIXES = (".npz",)
#: an image the folder loader and the door read
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")

"""The bridge to Keras: build a spec as a keras.Model, import a Keras model as a spec, model files, devices. Keras is imported lazily."""

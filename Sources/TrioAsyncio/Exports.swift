@_exported import SharedErrors

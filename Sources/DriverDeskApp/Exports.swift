// The core's values (plates, times, settings, `DeskError`, `ImportErrors`, ...) are part of the use cases' language:
// a front end that imports DriverDeskApp sees them without importing DriverDeskCore itself.
@_exported public import DriverDeskCore
// The camera-file reader's errors (`ViolationFileErrors`) reach the front ends through the use cases likewise.
@_exported public import DriverDeskCameraFile

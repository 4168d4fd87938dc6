// The core's values (plates, times, settings, `DeskError`, `ImportErrors`, ...) are part of the use cases' language:
// a front end that imports DriverDeskApp sees them without importing DriverDeskCore itself.
@_exported public import DriverDeskCore

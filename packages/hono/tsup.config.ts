import { library } from '../../tsup.library'

// Runtime-agnostic: no Node built-in is assumed.
export default library('neutral')

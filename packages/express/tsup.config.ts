import { library } from '../../tsup.library'

// Runs on Node (the framework does).
export default library('node')

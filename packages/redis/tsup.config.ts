import { library } from '../../tsup.library'

// Runs on Node (node-redis does).
export default library('node')
